"""Centres and their inspections: checklist templates, visits, findings, corrective actions and referrals,
the centres register, the monthly unannounced plan and the county × month grid (one module each)."""
