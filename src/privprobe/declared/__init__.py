"""What the company says: its privacy policy (and later its answers to the regulator's questionnaire).

``declared.policy`` loads a policy into a normalised ``Document``; the next steps extract
``Declaration``s and the PIPA Art. 30 checklist from it, citing character spans of that document.
"""
