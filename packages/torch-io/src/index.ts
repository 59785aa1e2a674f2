/** @clip-vg/torch-io: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/torch-io';
