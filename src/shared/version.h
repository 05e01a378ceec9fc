/* trimlab's version: what `trimlab --version` prints, the results documents' generator and the
 * traces' recorder_version carry (tools/version.sh says how it is made). */
#ifndef TL_VERSION_H
#define TL_VERSION_H

const char *tl_version(void);

#endif
