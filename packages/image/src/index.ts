/** @clip-vg/image: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/image';
