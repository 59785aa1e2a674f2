// Public API of the pipeline module (filled in by its owner).
export {};
