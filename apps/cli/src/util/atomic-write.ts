/** Outputs are written atomically (temp file + rename): one implementation, in @clip-vg/torch-io. */
export { writeFileAtomic } from '@clip-vg/torch-io';
