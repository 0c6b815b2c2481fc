"""Early-warning model (L3): metrics, evaluation and, later, training and prediction."""
