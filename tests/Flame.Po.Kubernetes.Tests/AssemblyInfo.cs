// The tests drive real nginx inside a Linux mount namespace and bind 127.x.y.z addresses: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
