#!/usr/bin/python3
"""Runs a .tflite model with ArmNN (TfLiteParser, CpuRef backend) on a batch of raw input tensors.

Usage: /usr/bin/python3 scripts/armnn-crosscheck.py MODEL.tflite INPUTS.bin OUTPUTS.bin

INPUTS.bin holds N input tensors back to back, each in the model input's dtype and shape
(little-endian); N is the file size divided by the input tensor's byte size. OUTPUTS.bin receives
the N output tensors back to back in the output's dtype. One summary line goes to stdout:
"armnn: N images, input <dtype> <shape>, output <dtype> <shape>".
Exit code 3 means pyarmnn cannot be imported (callers skip the cross-check then).
"""
import sys

try:
    import numpy as np
    import pyarmnn as ann
except ImportError as err:  # pragma: no cover - depends on the machine
    sys.stderr.write(f"armnn-crosscheck: cannot import pyarmnn ({err})\n")
    sys.exit(3)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: armnn-crosscheck.py MODEL.tflite INPUTS.bin OUTPUTS.bin\n")
        return 2
    model_path, inputs_path, outputs_path = argv[1:]
    parser = ann.ITfLiteParser()
    network = parser.CreateNetworkFromBinaryFile(model_path)
    in_name = parser.GetSubgraphInputTensorNames(0)[0]
    out_name = parser.GetSubgraphOutputTensorNames(0)[0]
    in_binding = parser.GetNetworkInputBindingInfo(0, in_name)
    out_binding = parser.GetNetworkOutputBindingInfo(0, out_name)

    runtime = ann.IRuntime(ann.CreationOptions())
    optimized, _messages = ann.Optimize(
        network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions()
    )
    net_id, _ = runtime.LoadNetwork(optimized)

    in_info = in_binding[1]
    in_dtype = {ann.DataType_Float32: np.float32, ann.DataType_QAsymmS8: np.int8,
                ann.DataType_QAsymmU8: np.uint8}[in_info.GetDataType()]
    in_shape = tuple(in_info.GetShape()[i] for i in range(in_info.GetNumDimensions()))
    per_input = int(np.prod(in_shape))
    raw = np.fromfile(inputs_path, dtype=in_dtype)
    if raw.size % per_input != 0:
        sys.stderr.write(f"armnn-crosscheck: {inputs_path} is not a whole number of {in_shape} inputs\n")
        return 1
    count = raw.size // per_input
    outputs = []
    out_desc = ""
    for n in range(count):
        data = raw[n * per_input:(n + 1) * per_input].reshape(in_shape)
        input_tensors = ann.make_input_tensors([in_binding], [data])
        output_tensors = ann.make_output_tensors([out_binding])
        runtime.EnqueueWorkload(net_id, input_tensors, output_tensors)
        result = ann.workload_tensors_to_ndarray(output_tensors)[0]
        out_desc = f"{result.dtype} {list(result.shape)}"
        outputs.append(np.ascontiguousarray(result).tobytes())
    with open(outputs_path, "wb") as f:
        f.write(b"".join(outputs))
    print(f"armnn: {count} images, input {np.dtype(in_dtype).name} {list(in_shape)}, output {out_desc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
