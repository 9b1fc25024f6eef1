using Microsoft.Extensions.Logging.Console;

namespace Flame.Po.ServiceDefaults.Logging;

public sealed class FlameJsonFormatterOptions : ConsoleFormatterOptions
{
    public SecretRedactor Redactor { get; set; } = SecretRedactor.None;
}
