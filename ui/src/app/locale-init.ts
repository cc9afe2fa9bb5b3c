// Imported first by main.tsx: a valid navigator.language before any module reads it (see locale.ts).
import { normaliseNavigatorLanguage } from "./locale";

normaliseNavigatorLanguage();
