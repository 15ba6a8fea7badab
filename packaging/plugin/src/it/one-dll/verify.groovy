// the package is built around the DLL, checked, attached and installed with the project
def msi = new File(basedir, 'target/inuse-mapi32-1.0.0-x64.msi')
assert msi.isFile() : "no MSI at $msi"
def log = new File(basedir, 'build.log').text
assert log.contains('inuse: MSI built: ') && log.contains('(ProductVersion 1.0.0, MAPI32.DLL ')
assert log.contains('UpgradeCode {6B3A2C55-1D2E-4F60-9A7B-3C4D5E6F7A8B}')
assert new File(basedir, 'target/policy/inuse-MAPI32.admx').isFile()
def installed = new File(localRepositoryPath, 'org/example/inuse/one-dll/1.0.0/one-dll-1.0.0.msi')
assert installed.isFile() : "the MSI was not installed as the project's artifact: $installed"
assert installed.length() == msi.length()
return true
