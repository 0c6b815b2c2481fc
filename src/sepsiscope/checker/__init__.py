"""Patient symptom checker screens (L5): web pages, terminal questionnaire, catalogues.

The rules are in :mod:`sepsiscope.scores.symptom_checker` (L0, pure); this package only
asks the questions (``questions.toml``), words everything (``messages/<lang>.toml``) and
shows the advice. Source: shared/docs/clinical/symptom-checker.md.
"""
