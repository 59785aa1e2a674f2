/** @clip-vg/onnx-engine: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/onnx-engine';
