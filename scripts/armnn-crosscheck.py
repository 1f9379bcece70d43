#!/usr/bin/python3
"""Runs a .tflite model with ArmNN (TfLiteParser, CpuRef backend) on a batch of raw input tensors.

Usage: /usr/bin/python3 scripts/armnn-crosscheck.py MODEL.tflite INPUTS.bin OUTPUTS.bin

INPUTS.bin holds N records back to back; a record is every subgraph input tensor in subgraph
input order, each in its dtype and shape (little-endian); N is the file size divided by the record
size. OUTPUTS.bin receives the N first-output tensors back to back in the output's dtype. One
summary line goes to stdout: "armnn: N images, input <dtype> <shape>, output <dtype> <shape>".
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
    in_names = parser.GetSubgraphInputTensorNames(0)
    out_name = parser.GetSubgraphOutputTensorNames(0)[0]
    in_bindings = [parser.GetNetworkInputBindingInfo(0, n) for n in in_names]
    out_binding = parser.GetNetworkOutputBindingInfo(0, out_name)

    runtime = ann.IRuntime(ann.CreationOptions())
    optimized, _messages = ann.Optimize(
        network, [ann.BackendId("CpuRef")], runtime.GetDeviceSpec(), ann.OptimizerOptions()
    )
    net_id, _ = runtime.LoadNetwork(optimized)

    dtypes = {ann.DataType_Float32: np.float32, ann.DataType_QAsymmS8: np.int8,
              ann.DataType_QAsymmU8: np.uint8, ann.DataType_Signed32: np.int32}
    specs = []  # (dtype, shape, byte size) per input
    for binding in in_bindings:
        info = binding[1]
        dt = np.dtype(dtypes[info.GetDataType()])
        shape = tuple(info.GetShape()[i] for i in range(info.GetNumDimensions()))
        specs.append((dt, shape, int(np.prod(shape)) * dt.itemsize))
    record = sum(size for _, _, size in specs)
    raw = np.fromfile(inputs_path, dtype=np.uint8)
    if raw.size % record != 0:
        sys.stderr.write(f"armnn-crosscheck: {inputs_path} is not a whole number of {record}-byte input records\n")
        return 1
    count = raw.size // record
    outputs = []
    out_desc = ""
    for n in range(count):
        at = n * record
        datas = []
        for dt, shape, size in specs:
            datas.append(raw[at:at + size].view(dt).reshape(shape))
            at += size
        input_tensors = ann.make_input_tensors(in_bindings, datas)
        output_tensors = ann.make_output_tensors([out_binding])
        runtime.EnqueueWorkload(net_id, input_tensors, output_tensors)
        result = ann.workload_tensors_to_ndarray(output_tensors)[0]
        out_desc = f"{result.dtype} {list(result.shape)}"
        outputs.append(np.ascontiguousarray(result).tobytes())
    with open(outputs_path, "wb") as f:
        f.write(b"".join(outputs))
    ins = ", ".join(f"{dt.name} {list(shape)}" for dt, shape, _ in specs)
    print(f"armnn: {count} images, input {ins}, output {out_desc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
