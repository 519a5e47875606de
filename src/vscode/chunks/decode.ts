// Entry of dist/decode.js: the error catalogue and decoder (~45 KB), loaded on the first decode or hover.
export { decodeText } from '../../core/errors/decode';
export { formatFindingsMarkdown, toastText } from '../../core/errors/format';
