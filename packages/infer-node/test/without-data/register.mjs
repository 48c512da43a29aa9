// node --import ./register.mjs …: installs hooks.mjs before the app's modules load.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
