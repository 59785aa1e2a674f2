/** @clip-vg/clip-encoders: placeholder until its issue lands. */
export const PACKAGE_NAME = '@clip-vg/clip-encoders';
