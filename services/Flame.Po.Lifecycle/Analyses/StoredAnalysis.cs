namespace Flame.Po.Lifecycle.Analyses;

/// <summary>A record as read from the state store, with the ETag a compare-and-swap write must present.</summary>
public sealed record StoredAnalysis(AnalysisRecord Record, string ETag);
