"""Comments: a reusable component for consultations, their sections and (later) petitions."""
