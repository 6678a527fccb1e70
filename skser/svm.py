"""Support vector classification that predicts faster, with the same results.

:class:`SVC` is scikit-learn's :class:`sklearn.svm.SVC`, trained by the same libsvm
solver, whose RBF-kernel predictions are computed with matrix products (BLAS)
instead of libsvm's one-sample-at-a-time loops. The decision values are those of
libsvm to rounding, so predictions and calibrated probabilities are the same;
only the time changes. An SVC on utterance statistics keeps most of its training
files as support vectors, so its kernel row costs more than any other step of
predicting one file (the benchmarks page of the documentation has the timings).
"""

from __future__ import annotations

import numpy as np
from sklearn.svm import SVC as _SklearnSVC

__all__ = ["SVC"]

#: Rows of X per block of the kernel matrix: bounds the memory of a large predict call
#: (rows x support vectors float64 values: 8 bytes x 256 rows x 10,000 support vectors
#: is 20 MB).
_BLOCK_ROWS = 256


class SVC(_SklearnSVC):
    """scikit-learn's ``SVC``, with the RBF kernel's predictions computed by BLAS.

    Every parameter, attribute and method is :class:`sklearn.svm.SVC`'s, and
    fitting is unchanged. For ``kernel="rbf"`` on dense input, the decision
    values (``decision_function``, and so ``predict`` and the probabilities of a
    :class:`~sklearn.calibration.CalibratedClassifierCV` around it) are
    computed from the kernel matrix between ``X`` and the support vectors in
    blocks of rows, with squared distances expanded as libsvm expands them.
    They equal libsvm's to rounding; other kernels and sparse input go to
    libsvm as before.

    Why: libsvm evaluates the kernel one pair of vectors at a time. An SVC on a
    few hundred utterance statistics keeps thousands of support vectors, so
    predicting one file means millions of multiply-adds in that loop; a
    matrix-vector product does them faster
    (``python -m benchmarks latency`` times it).

    Parameters
    ----------
    C : float, default=1.0
        Regularization, as in :class:`sklearn.svm.SVC`; so are ``kernel``,
        ``degree``, ``gamma``, ``coef0``, ``shrinking``, ``probability``,
        ``tol``, ``cache_size``, ``class_weight``, ``verbose``, ``max_iter``,
        ``decision_function_shape``, ``break_ties`` and ``random_state``, with
        the same defaults.

    Attributes
    ----------
    support_vectors_, dual_coef_, intercept_, n_support_, classes_
        As in :class:`sklearn.svm.SVC`.

    See Also
    --------
    sklearn.svm.SVC : the same model; its predictions run in libsvm.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.svm import SVC as LibsvmSVC
    >>> from skser.svm import SVC
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(200, 20)), rng.integers(0, 4, 200)
    >>> fast, slow = SVC(C=10).fit(X, y), LibsvmSVC(C=10).fit(X, y)
    >>> bool(np.allclose(fast.decision_function(X), slow.decision_function(X), atol=1e-10))
    True
    >>> bool((fast.predict(X) == slow.predict(X)).all())
    True
    """

    def fit(self, X, y, sample_weight=None):
        """Fit as :meth:`sklearn.svm.SVC.fit` does, then keep the support vectors' norms.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        super().fit(X, y, sample_weight=sample_weight)
        sv = self.support_vectors_
        self._sv_squared_norms = None if self._sparse else np.einsum("ij,ij->i", sv, sv)
        return self

    def _blas_kernel(self) -> bool:
        return self.kernel == "rbf" and not self._sparse

    def _dense_decision_function(self, X):
        if not self._blas_kernel():
            return super()._dense_decision_function(X)
        X = np.ascontiguousarray(X, dtype=np.float64)
        return np.concatenate([self._ovo_decision(X[i:i + _BLOCK_ROWS])
                               for i in range(0, len(X), _BLOCK_ROWS)])

    def _dense_predict(self, X):
        if not (self._blas_kernel() and self._impl == "c_svc"):
            return super()._dense_predict(X)
        # libsvm's vote: each pair's decision value > 0 votes for its first class, else
        # for its second; the most votes win, the lowest class index on a tie.
        wins = self._dense_decision_function(X) > 0
        n_classes = len(self._n_support)
        votes = np.zeros((len(wins), n_classes), dtype=np.intp)
        for p, (a, b) in enumerate(zip(*np.triu_indices(n_classes, k=1))):
            votes[:, a] += wins[:, p]
            votes[:, b] += ~wins[:, p]
        # The class indices libsvm was trained on, as libsvm returns them.
        return votes.argmax(axis=1).astype(np.float64)

    def _ovo_decision(self, X: np.ndarray) -> np.ndarray:
        """libsvm's one-vs-one decision values of rows ``X``: (n_rows, n_pairs)."""
        sv = self.support_vectors_
        sv_sq = getattr(self, "_sv_squared_norms", None)
        if sv_sq is None or len(sv_sq) != len(sv):  # support vectors set by hand
            sv_sq = np.einsum("ij,ij->i", sv, sv)
        # ||x - s||^2 = ||x||^2 + ||s||^2 - 2 x.s, as libsvm computes it.
        distances = X @ sv.T
        distances *= -2.0
        distances += sv_sq
        distances += np.einsum("ij,ij->i", X, X)[:, None]
        kernel = np.exp(-self._gamma * distances, out=distances)
        starts = np.concatenate([[0], np.cumsum(self._n_support)])
        coef, intercept = self._dual_coef_, self._intercept_
        n_classes = len(self._n_support)
        out = np.empty((len(X), n_classes * (n_classes - 1) // 2))
        p = 0
        for a in range(n_classes):
            rows_a = slice(starts[a], starts[a + 1])
            for b in range(a + 1, n_classes):
                rows_b = slice(starts[b], starts[b + 1])
                out[:, p] = (kernel[:, rows_a] @ coef[b - 1, rows_a]
                             + kernel[:, rows_b] @ coef[a, rows_b] + intercept[p])
                p += 1
        return out
