"""Comments: a reusable thread component. Host areas (consultations, sections, petitions)
register their targets (targets.py) and the moderators' desk registers itself as overseer
(oversight.py); the component imports none of them."""
