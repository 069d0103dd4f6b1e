"""Pictures: Blender's image I/O, the studio-grey background, the picture slots,
the preparation recipes and result pictures.
"""
