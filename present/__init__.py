"""The presentation layer: what people read, built from a session's state.

`present.views` holds the data (pydantic models that serialise to JSON, so the web API
can return them as they are). The builders turn engine and case state into views in
English or Russian, with titles and sentences instead of internal ids (each sentence
keeps its id in `ref`, shown only on request): `present.question` (questions, fixes,
the session banner, step views), `present.explain` (WHY, HOW, WHY NOT),
`present.handoff`, `present.recap`, `present.transcript`; `present.search` finds a
fault or complaint from words; `present.names` names ids; `present.text` renders views
for a terminal. The product's own words come from gettext catalogues (`present.i18n`).
"""
