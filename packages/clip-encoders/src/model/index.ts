// Public API of the model module (filled in by its owner).
export {};
