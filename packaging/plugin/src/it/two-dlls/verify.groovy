// two DLLs in two folders: both in the package's File table, both in its target list
def msi = new File(basedir, 'target/inuse-mapi32-1.1.0-x64.msi')
assert msi.isFile() : "no MSI at $msi"
def files = ['msiinfo', 'export', msi.path, 'File'].execute().text
assert files.readLines().any { it.startsWith('TargetDll\t') && it.contains('MAPI32.DLL') } : files
assert files.readLines().any { it.startsWith('TargetDll2\t') && it.contains('MAPIAUX.DLL') && it.contains('1.1.0.0') } : files
def hashes = ['msiinfo', 'export', msi.path, 'MsiFileHash'].execute().text
assert !hashes.contains('TargetDll') : "a versioned DLL has an MsiFileHash row: $hashes"
def log = new File(basedir, 'build.log').text
assert log.contains('inuse: MSI built: ')
return true
