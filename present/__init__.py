"""The presentation layer: what people read, built from a session's state.

`present.views` holds the data (pydantic models that serialise to JSON, so the web API
can return them as they are); the builders (`present.question`, `present.explain`,
`present.handoff`, `present.recap`) turn engine and case state into those views in
English or Russian, with titles and sentences instead of internal ids (ids are kept
beside each item, shown only on request); `present.text` renders views for a terminal.
The product's own words come from gettext catalogues (`present.i18n`).
"""
