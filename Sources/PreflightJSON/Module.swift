// Strict JSON reading and ordered JSON writing.
