def log = new File(basedir, 'build.log').text
def line = log.readLines().find { it.startsWith('[ERROR] Failed to execute goal io.inuse:inuse-maven-plugin') }
assert line != null : 'no failure of the plugin in build.log'
assert line.contains('<payloads><payload> 1: <folder>Fonts</folder> is not a folder the package installs into: use one of System, Windows, ProgramFiles') : "the failure does not say what is wrong: $line"
assert !new File(basedir, 'target').listFiles()?.any { it.name.endsWith('.msi') } : 'an MSI was built anyway'
return true
