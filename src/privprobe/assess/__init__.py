"""assess: the law applied to the facts.

Today this package holds the penalty side of the story (docs/penalty.md):

- `case_facts`: the catalogue of facts the investigator enters for a case (revenue by year, related
  revenue, daily Korean users, the violation period, earlier sanctions, ...), each typed, with unit,
  description and the provision that needs it; `CaseFacts` reads the stored texts back as values.
- `penalty_law`: the constants of ``reference/penalty.json``: verified law (rates, bands, caps, fine
  amounts, GDPR maxima) and the UNVERIFIED parameters the investigator may change.
- `basis`: steps 0-2 of the PIPA surcharge: the violation period and regime, total and related revenue.
- `penalty`: the PIPA Art. 64-2 surcharge worksheet: base amount and the two adjustments (steps 3-5),
  refusing choices outside the law's bands; `limits`: final decision, mandatory reduction, cap and
  rounding (steps 6-8); `sheet`: the worksheet being filled.
- `fines`: PIPA Art. 75 administrative fines (Decree Annex 2, repeat counting, Art. 76) and the GDPR
  Art. 83 maxima.
- `worksheet`: every estimate ``privprobe penalty`` prints for one case.

Results are `privprobe.findings.PenaltyEstimate`s made of `PenaltyStep`s.
"""
