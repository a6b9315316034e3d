"""The procedure designer's routes for admins, mounted at /designer (`routes.routes()`).

The logic lives in the top-level `designer` package and `engine.design`; here are the pages and
JSON endpoints, each guarded by `web.auth.requires(DESIGN)`: pages (procedure list, modeler page,
autosave, check, publish, import/export, diff), forms (form editor and previews), simulate and
migrate. The shared modules, problems (publish problems in words) and common, import none of them.
"""
