/**
 * The subset of the TFLite flatbuffer schema (tensorflow/lite/schema/schema.fbs,
 * schema version 3, file identifier "TFL3") that sim-dse reads and writes,
 * written down as numbers: field ids of each table, enum values and union
 * type ids. In a flatbuffer a table field with id N is found at vtable slot
 * 4 + 2 * N; the ids below are the declaration order in schema.fbs.
 *
 * | table                  | field ids                                                                                    |
 * |------------------------|----------------------------------------------------------------------------------------------|
 * | Model                  | 0 version:uint, 1 operator_codes, 2 subgraphs, 3 description, 4 buffers, 5 metadata_buffer   |
 * | SubGraph               | 0 tensors, 1 inputs:[int], 2 outputs:[int], 3 operators, 4 name                              |
 * | Tensor                 | 0 shape:[int], 1 type:byte, 2 buffer:uint, 3 name, 4 quantization, 5 is_variable, 6 sparsity |
 * | QuantizationParameters | 0 min, 1 max, 2 scale:[float], 3 zero_point:[long], 4 details_type, 5 details, 6 quantized_dimension:int |
 * | Buffer                 | 0 data:[ubyte] (force_align 16), 1 offset:ulong, 2 size:ulong                                |
 * | OperatorCode           | 0 deprecated_builtin_code:byte, 1 custom_code, 2 version:int=1, 3 builtin_code:int          |
 * | Operator               | 0 opcode_index:uint, 1 inputs, 2 outputs, 3 builtin_options_type:ubyte, 4 builtin_options, 5 custom_options |
 * | Conv2DOptions          | 0 padding, 1 stride_w, 2 stride_h, 3 fused_activation, 4 dilation_w=1, 5 dilation_h=1       |
 * | DepthwiseConv2DOptions | 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier, 4 fused_activation, 5 dilation_w=1, 6 dilation_h=1 |
 * | Pool2DOptions          | 0 padding, 1 stride_w, 2 stride_h, 3 filter_width, 4 filter_height, 5 fused_activation     |
 * | FullyConnectedOptions  | 0 fused_activation, 1 weights_format, 2 keep_num_dims, 3 asymmetric_quantize_inputs        |
 * | SoftmaxOptions         | 0 beta:float                                                                                 |
 * | AddOptions             | 0 fused_activation, 1 pot_scale_int16=true                                                   |
 * | ReshapeOptions         | 0 new_shape:[int]                                                                            |
 * | ReducerOptions (MEAN)  | 0 keep_dims:bool                                                                             |
 */

/** Field ids per table (see the table in this module's comment). */
export const F = {
  Model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, isVariable: 5, sparsity: 6 },
  Quantization: { min: 0, max: 1, scale: 2, zeroPoint: 3, detailsType: 4, details: 5, quantizedDimension: 6 },
  Buffer: { data: 0, offset: 1, size: 2 },
  OperatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3 },
  Operator: { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4, customOptions: 5 },
  Conv2DOptions: { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 },
  DepthwiseConv2DOptions: {
    padding: 0,
    strideW: 1,
    strideH: 2,
    depthMultiplier: 3,
    activation: 4,
    dilationW: 5,
    dilationH: 6,
  },
  Pool2DOptions: { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 },
  FullyConnectedOptions: { activation: 0, weightsFormat: 1, keepNumDims: 2, asymmetricQuantizeInputs: 3 },
  SoftmaxOptions: { beta: 0 },
  AddOptions: { activation: 0, potScaleInt16: 1 },
  ReshapeOptions: { newShape: 0 },
  ReducerOptions: { keepDims: 0 },
} as const;

/** The schema version sim-dse reads and writes (Model.version). */
export const SCHEMA_VERSION = 3;

/** The 4-byte file identifier at offset 4 of every .tflite file. */
export const FILE_IDENTIFIER = 'TFL3';

/** TensorType enum: value -> name. */
export const TENSOR_TYPE_NAMES: readonly string[] = [
  'FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64', 'INT8',
  'FLOAT64', 'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT', 'UINT32', 'UINT16', 'INT4',
];

/** TensorType values of the types the IR supports, with their IR name and byte size. */
export const TENSOR_TYPES = {
  0: { dtype: 'float32', bytes: 4 },
  2: { dtype: 'int32', bytes: 4 },
  3: { dtype: 'uint8', bytes: 1 },
  4: { dtype: 'int64', bytes: 8 },
  7: { dtype: 'int16', bytes: 2 },
  9: { dtype: 'int8', bytes: 1 },
} as const;

/** IR dtype -> TensorType value (inverse of {@link TENSOR_TYPES}). */
export const TENSOR_TYPE_OF = { float32: 0, int32: 2, uint8: 3, int64: 4, int16: 7, int8: 9 } as const;

/** BuiltinOperator codes of the supported operators. */
export const OP_CODE = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  FULLY_CONNECTED: 9,
  MAX_POOL_2D: 17,
  RESHAPE: 22,
  SOFTMAX: 25,
  PAD: 34,
  MEAN: 40,
  QUANTIZE: 114,
} as const;

/** BuiltinOperator code of CUSTOM operators. */
export const CUSTOM_OP_CODE = 32;

/**
 * Names of BuiltinOperator codes 0..127 (for error messages about unsupported
 * operators); codes beyond are reported by number.
 */
export const BUILTIN_OPERATOR_NAMES: readonly string[] = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP ' +
  'FLOOR FULLY_CONNECTED HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC ' +
  'LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX ' +
  'SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM EMBEDDING_LOOKUP_SPARSE PAD ' +
  'UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE ' +
  'UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX ' +
  'DELEGATE BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER ' +
  'GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL ' +
  'NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD REDUCE_MAX PACK LOGICAL_OR ' +
  'ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL ' +
  'FLOOR_MOD RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE ' +
  'CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE ' +
  'MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 NON_MAX_SUPPRESSION_V5 SCATTER_ND ' +
  'SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES'
).split(' ');

/** BuiltinOptions union type ids (0 is NONE) of the options tables used by supported operators. */
export const OPTIONS_TYPE = {
  Conv2DOptions: 1,
  DepthwiseConv2DOptions: 2,
  Pool2DOptions: 5,
  FullyConnectedOptions: 8,
  SoftmaxOptions: 9,
  AddOptions: 11,
  ReshapeOptions: 17,
  PadOptions: 22,
  ReducerOptions: 27,
  DequantizeOptions: 38,
  QuantizeOptions: 89,
} as const;

/** ActivationFunctionType enum: value -> name. */
export const ACTIVATION_NAMES: readonly string[] = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

/** Padding enum: value -> name. */
export const PADDING_NAMES: readonly string[] = ['SAME', 'VALID'];

/** Name of a BuiltinOperator code, e.g. 28 -> "TANH". */
export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATOR_NAMES[code] ?? `BUILTIN_${code}`;
}
