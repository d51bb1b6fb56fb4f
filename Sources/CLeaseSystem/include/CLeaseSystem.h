#ifndef CLEASESYSTEM_H
#define CLEASESYSTEM_H

/// Swaps two paths atomically (Linux renameat2 with RENAME_EXCHANGE): both must exist. Returns 0, or -1 with
/// errno set (ENOSYS or EINVAL where the system or the file system cannot exchange).
int leasesim_exchange_paths(const char *first, const char *second);

#endif
