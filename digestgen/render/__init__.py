"""Render stage: a site model -> the bytes of every output file (see :mod:`digestgen.render.pages`)."""


class RenderError(Exception):
    """A template failed; the message names the template and the page."""
