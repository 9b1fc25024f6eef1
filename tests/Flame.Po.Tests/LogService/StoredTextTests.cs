using Flame.Po.Logging.Ingestion;

namespace Flame.Po.Tests.LogService;

public sealed class StoredTextTests
{
    [Theory]
    [InlineData("epoch 3 done", "epoch 3 done")]
    [InlineData("Größe: 12 µg — 患者 ✓ 🙂", "Größe: 12 µg — 患者 ✓ 🙂")]
    [InlineData("line 1\nline 2\ttabbed\r\n", "line 1\nline 2\ttabbed\r\n")]
    [InlineData("nul\0byte", "nul\uFFFDbyte")]
    [InlineData("'; DROP TABLE log_line; --", "'; DROP TABLE log_line; --")]
    public void Keeps_what_postgres_can_store_and_replaces_the_rest(string input, string stored) =>
        StoredText.Of(input, 1000).Should().Be(stored);

    // Built from chars: attribute arguments cannot carry unpaired surrogates.
    public static TheoryData<string, string> UnpairedSurrogates => new()
    {
        { "lone " + (char)0xD800 + " high", "lone \uFFFD high" },
        { "lone " + (char)0xDC00 + " low", "lone \uFFFD low" },
        { "end high " + (char)0xD83D, "end high \uFFFD" },
        { "swapped " + (char)0xDE42 + (char)0xD83D + "!", "swapped \uFFFD\uFFFD!" },
    };

    [Theory]
    [MemberData(nameof(UnpairedSurrogates))]
    public void Unpaired_surrogates_become_replacement_characters(string input, string stored) =>
        StoredText.Of(input, 1000).Should().Be(stored);

    [Fact]
    public void A_long_message_is_cut_with_a_note_of_how_much()
    {
        var stored = StoredText.Of(new string('x', 300), 256);

        stored.Should().StartWith(new string('x', 256)).And.EndWith(" … [44 characters cut]");
    }

    [Fact]
    public void A_cut_never_splits_a_surrogate_pair()
    {
        var input = new string('x', 255) + "🙂" + "tail";

        var stored = StoredText.Of(input, 256);

        stored.Should().StartWith(new string('x', 255) + " … [");
        stored.Should().NotContain("\uFFFD");
    }
}
