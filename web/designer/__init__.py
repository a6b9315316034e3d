"""The procedure designer's routes for admins, mounted at /designer (`routes.routes()`).

The logic lives in the top-level `designer` package and `engine.design`; here are the pages and
JSON endpoints: pages (procedure list, modeler page, autosave, check, publish, import/export, diff),
forms (form editor and previews), simulate, migrate; problems (publish problems in words) and common
(what several of them need) import nothing from the others.
"""
