#!/usr/bin/env node
import { PACKAGE_NAME } from './index';
console.log(PACKAGE_NAME);
