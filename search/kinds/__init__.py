"""The searchable kinds of each feature, one module per feature; each module's ``SEARCHABLES`` is
what that feature's ``Feature(searchables=...)`` declares."""
