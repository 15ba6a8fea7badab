/* File-system helpers of the broker that stand alone (the Wine tests' wintest.exe links this file
   too, to show that a deletion never follows a reparse point). */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

/* Deletes a file or a folder tree. A reparse point (junction, symbolic link) is removed itself,
   never entered: an attacker who plants a junction in the extraction folder must not make a
   SYSTEM process delete what it points to (WiX's CVE-2024-29188). */
int delete_tree(const wchar_t *path) {
  DWORD attributes = GetFileAttributesW(path);
  if (attributes == INVALID_FILE_ATTRIBUTES) return GetLastError() == ERROR_FILE_NOT_FOUND;
  if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
    /* a junction or link: remove the link itself, never what it points to */
    return (attributes & FILE_ATTRIBUTE_DIRECTORY) ? RemoveDirectoryW(path) : DeleteFileW(path);
  }
  if (!(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    if (attributes & FILE_ATTRIBUTE_READONLY) SetFileAttributesW(path, attributes & ~FILE_ATTRIBUTE_READONLY);
    return DeleteFileW(path);
  }
  wchar_t pattern[MAX_PATH + 4];
  _snwprintf(pattern, MAX_PATH + 2, L"%ls\\*", path);
  pattern[MAX_PATH + 1] = 0;
  WIN32_FIND_DATAW found;
  HANDLE search = FindFirstFileW(pattern, &found);
  int ok = 1;
  if (search != INVALID_HANDLE_VALUE) {
    do {
      if (!wcscmp(found.cFileName, L".") || !wcscmp(found.cFileName, L"..")) continue;
      wchar_t child[MAX_PATH];
      int n = _snwprintf(child, MAX_PATH - 1, L"%ls\\%ls", path, found.cFileName);
      if (n < 0 || n >= MAX_PATH - 1) { ok = 0; continue; }
      child[n] = 0;
      ok &= delete_tree(child);
    } while (FindNextFileW(search, &found));
    FindClose(search);
  }
  return RemoveDirectoryW(path) && ok;
}

