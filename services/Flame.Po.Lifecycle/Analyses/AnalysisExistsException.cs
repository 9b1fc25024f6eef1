namespace Flame.Po.Lifecycle.Analyses;

/// <summary>A record with this analysis id already exists.</summary>
public sealed class AnalysisExistsException : Exception
{
    public AnalysisExistsException(string analysisId)
        : base($"Analysis {analysisId} already exists.")
    {
        AnalysisId = analysisId;
    }

    public AnalysisExistsException()
    {
        AnalysisId = "";
    }

    public AnalysisExistsException(string message, Exception innerException)
        : base(message, innerException)
    {
        AnalysisId = "";
    }

    public string AnalysisId { get; }
}
