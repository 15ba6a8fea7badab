// two DLLs in two folders, the product named by the POM: both DLLs in the package's File table and target list, the
// target folder of the second created by the package, the product's names in the Property table, its policy default built
// in, its Group Policy template named after the product id
def msi = new File(basedir, 'target/inuse-example-mail-1.1.0-x64.msi')
assert msi.isFile() : "no MSI at $msi"
def files = ['msiinfo', 'export', msi.path, 'File'].execute().text
assert files.readLines().any { it.startsWith('TargetDll\t') && it.contains('MAPI32.DLL') } : files
assert files.readLines().any { it.startsWith('TargetDll2\t') && it.contains('MAPIAUX.DLL') && it.contains('1.1.0.0') } : files
def hashes = ['msiinfo', 'export', msi.path, 'MsiFileHash'].execute().text
assert !hashes.contains('TargetDll') : "a versioned DLL has an MsiFileHash row: $hashes"
def properties = ['msiinfo', 'export', msi.path, 'Property'].execute().text
assert properties.readLines().contains('ProductName\tExample Mail MAPI update') : properties
assert properties.readLines().contains('Manufacturer\tExample Corp') : properties
def directories = ['msiinfo', 'export', msi.path, 'Directory'].execute().text
assert directories.readLines().any { it.startsWith('ProductFolder\tInuseFolder\tEXAMPL~1|Example Mail') } : directories
assert directories.readLines().any { it.endsWith('\tEXAMPL~1|Example Mail') && it.contains('ProgramFiles64Folder') } : directories
def createFolder = ['msiinfo', 'export', msi.path, 'CreateFolder'].execute().text
assert createFolder.readLines().any { it.startsWith('InuseTargetDir2\tInuseTargetFolder2') } : createFolder
assert new File(basedir, 'target/policy/inuse-Example Mail.admx').isFile()
def adml = new File(basedir, 'target/policy/en-US/inuse-Example Mail.adml').text
assert adml.contains("Yes: replace it too (1), its own default in place of inuse's.") : adml
def log = new File(basedir, 'build.log').text
assert log.contains('inuse: MSI built: ')
assert log.contains("inuse: product 'Example Mail MAPI update' (id Example Mail, manufacturer Example Corp)") : log
assert log.contains('inuse: policy defaults of the package: INUSE_FORCE_EQUAL=1') : log
return true
