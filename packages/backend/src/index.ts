/** @clip-vg/backend: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/backend';
