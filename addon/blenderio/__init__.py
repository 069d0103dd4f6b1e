"""What reads or writes Blender data: importers and exporters, uploads made from
scene data, the helper's thumbnails, mesh fingerprints and their service addresses.
"""
