"""Stand-in for sklearn.linear_model."""


class LinearRegression:
    def predict(self, x):
        return 2.0 * x
