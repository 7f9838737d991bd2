"""Every kind of page, in the order the site model makes them (and the sitemap lists them).

To add a kind, write a module beside these with a ``KIND`` and add it here.
"""
from __future__ import annotations

from digestgen.site.kinds import article, dates, home, notfound, redirect, region, search, tag, theme

KINDS = (region.KIND, theme.KIND, tag.KIND, dates.KIND, article.KIND, home.KIND, notfound.KIND, search.KIND,
         redirect.KIND)
