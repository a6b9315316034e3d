"""The procedure designer's logic (no routes; the pages are web/designer/).

    starter    the minimal valid model a new procedure starts from
    formcheck  what the server form renderer refuses in a form-js schema, and the form preview
    drafts     the designer's commands: engine.design plus the starter and the form checks
    diff       two models compared element by element (added, removed, changed), and their forms
    simulate   a draft run step by step in memory, with the due date each step would get

Import direction: web -> designer -> (forms | engine). Browser code and the vendored bpmn-js /
form-js bundles are under designer/static/designer/.
"""
