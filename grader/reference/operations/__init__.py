"""The one table of operations: how a question's key is computed from its parameters.

A parameters file names an operation per question (`operation = "conv2d"`); its module
owns the parameters model, the computation of the accepted answers and known mistakes,
and the answer kind the key is read as (`QuestionKey.kind`: matrix, tensor, shape,
number). Adding an operation is one module and one line here. Must not read student
text or rubrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from grader.reference.operations.activation import ACTIVATION
from grader.reference.operations.attention import ATTENTION
from grader.reference.operations.base import Operation
from grader.reference.operations.conv_shape import CONV_SHAPE
from grader.reference.operations.convolution import (
    CONV1D,
    CONV2D,
    CONV_TRANSPOSE1D,
    CONV_TRANSPOSE2D,
)
from grader.reference.operations.course_function import REFERENCE
from grader.reference.operations.matrix_product import LINEAR, MATMUL
from grader.reference.operations.module_shape import MODULE_SHAPE
from grader.reference.operations.normalization import BATCH_NORM, LAYER_NORM
from grader.reference.operations.parameter_count import PARAMETER_COUNT
from grader.reference.operations.pooling import AVG_POOL2D, MAX_POOL2D
from grader.reference.operations.recurrent import RNN

OPERATIONS: Mapping[str, Operation] = MappingProxyType(
    {
        operation.name: operation
        for operation in (
            CONV2D,
            CONV1D,
            CONV_TRANSPOSE2D,
            CONV_TRANSPOSE1D,
            MAX_POOL2D,
            AVG_POOL2D,
            CONV_SHAPE,
            MODULE_SHAPE,
            PARAMETER_COUNT,
            ACTIVATION,
            MATMUL,
            LINEAR,
            BATCH_NORM,
            LAYER_NORM,
            ATTENTION,
            RNN,
            REFERENCE,
        )
    }
)

__all__ = ["OPERATIONS", "Operation"]
