"""Operators: the buttons of the panel and the add-on's scripting API."""

from . import generate, jobs, miniature, tools

classes = (*generate.classes, *miniature.classes, *tools.classes, *jobs.classes)
