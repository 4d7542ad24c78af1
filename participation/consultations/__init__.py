"""Public consultations on draft policies: sections, lifecycle, questionnaires, outcome reports."""
