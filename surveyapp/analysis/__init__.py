"""The app side of scoring: which responses count, weights, scores, trend, ranking."""
