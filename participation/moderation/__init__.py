"""The moderators' desk: reports, screening of new and edited comments, the queue (comments'
items, held signatures, petitions awaiting review), decisions, appeals, blocking and the public
transparency page. It registers itself as the comments component's overseer at start-up
(oversight.py); held signatures are decided through petitions/holds.py, petitions' own service."""
