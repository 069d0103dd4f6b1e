"""A job's life on the Blender side: the engine session, the pump, submitting,
importing results, chains, local (helper) jobs, names and where a job came from.
"""
