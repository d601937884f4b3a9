"""群议委: the deliberation committee's consultations (协商议题), from a local question to a resolution.

A consultation gathers every side (its forum thread, later its 四意合一 merge), holds meetings with
published minutes, and ends in a resolution the committee adopts by vote under a quorum rule; every
step is on a public timeline.
"""
