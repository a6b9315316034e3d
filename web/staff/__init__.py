"""Staff pages: the inbox, a task's form, the dossier page (history, verdicts, diagram)."""
